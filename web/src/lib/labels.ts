/** Words for the API's enums. */

export const CRITERION: Record<string, string> = {
  SKILLS: "Skills",
  PROJECTS: "Projects",
  FOUNDATIONS: "Foundations",
  MATURITY: "Maturity",
  TOPICS: "Topics",
  TIMEZONE: "Timezone",
  LANGUAGE: "Language",
  LOAD: "Availability",
};

export const MATCH_STATE: Record<string, string> = {
  PROPOSED: "Proposed",
  ACTIVE: "Active",
  COMPLETED: "Completed",
  ENDED_EARLY: "Ended early",
  DECLINED: "Declined",
  EXPIRED: "Expired",
  CANCELLED: "Cancelled",
};

export const REQUEST_STATE: Record<string, string> = {
  OPEN: "Waiting for a mentor",
  PROPOSED: "Proposed to a mentor",
  MATCHED: "Matched",
  CLOSED: "Closed",
  WITHDRAWN: "Withdrawn",
};

export const DECLINE_REASON: Record<string, string> = {
  NOT_RIGHT_EXPERTISE: "Not the right expertise",
  NO_TIME_NOW: "No time right now",
  ANOTHER_MENTOR_BETTER: "Another mentor would be better",
  OTHER: "Other",
};

export const TOPIC: Record<string, string> = {
  FIRST_CONTRIBUTION: "First contribution",
  MAINTAINERSHIP: "Maintainership",
  STARTING_A_PROJECT: "Starting a project",
  PUBLIC_SPEAKING: "Public speaking",
  EVENT_ORGANIZING: "Event organizing",
  FOUNDATION_ENGAGEMENT: "Foundation engagement",
  STANDARDS: "Standards",
  COMPLIANCE: "Compliance",
  INNER_SOURCE: "Inner source",
};

export function label(table: Record<string, string>, value: string): string {
  return table[value] ?? value;
}

//! Properties of the mentorship state machines and the capacity rule,
//! driven by random operation sequences through the domain functions only.

use domain::mentorship::{
    MatchAction, MatchState, RequestAction, RequestState, check_capacity_change, release_seat,
    take_seat,
};
use domain::values::Capacity;
use proptest::prelude::*;

/// The workflow tables of design.md, written out again independently of
/// the code under test.
fn legal_request(from: RequestState, action: RequestAction) -> Option<RequestState> {
    use RequestAction as A;
    use RequestState as S;
    let table = [
        (S::Open, A::Propose, S::Proposed),
        (S::Proposed, A::Reopen, S::Open),
        (S::Proposed, A::Match, S::Matched),
        (S::Open, A::Withdraw, S::Withdrawn),
        (S::Proposed, A::Withdraw, S::Withdrawn),
        (S::Matched, A::Close, S::Closed),
        (S::Open, A::Close, S::Closed),
        (S::Proposed, A::Close, S::Closed),
    ];
    table
        .iter()
        .find(|(f, a, _)| *f == from && *a == action)
        .map(|(_, _, to)| *to)
}

fn legal_match(from: MatchState, action: MatchAction) -> Option<MatchState> {
    use MatchAction as A;
    use MatchState as S;
    let table = [
        (S::Proposed, A::Accept, S::Active),
        (S::Proposed, A::Decline, S::Declined),
        (S::Proposed, A::Expire, S::Expired),
        (S::Proposed, A::Cancel, S::Cancelled),
        (S::Active, A::Complete, S::Completed),
        (S::Active, A::EndEarly, S::EndedEarly),
    ];
    table
        .iter()
        .find(|(f, a, _)| *f == from && *a == action)
        .map(|(_, _, to)| *to)
}

const REQUEST_ACTIONS: [RequestAction; 5] = [
    RequestAction::Propose,
    RequestAction::Reopen,
    RequestAction::Match,
    RequestAction::Withdraw,
    RequestAction::Close,
];

#[test]
fn apply_follows_the_tables_exactly() {
    for from in RequestState::ALL {
        for action in REQUEST_ACTIONS {
            let got = from.apply(action).ok();
            assert_eq!(got, legal_request(from, action), "{from:?} {action:?}");
            assert_ne!(got, Some(from), "a move always changes the state");
        }
    }
    for from in MatchState::ALL {
        for action in MatchAction::ALL {
            let got = from.apply(action).ok();
            assert_eq!(got, legal_match(from, action), "{from:?} {action:?}");
            assert_ne!(got, Some(from));
        }
    }
}

const MATCH_TERMINAL: [MatchState; 5] = [
    MatchState::Completed,
    MatchState::EndedEarly,
    MatchState::Declined,
    MatchState::Expired,
    MatchState::Cancelled,
];

const REQUEST_TERMINAL: [RequestState; 2] = [RequestState::Closed, RequestState::Withdrawn];

#[test]
fn terminal_states_accept_nothing() {
    for state in MATCH_TERMINAL {
        assert!(MatchAction::ALL.iter().all(|a| state.apply(*a).is_err()));
        assert!(!state.is_live());
    }
    for state in REQUEST_TERMINAL {
        assert!(REQUEST_ACTIONS.iter().all(|a| state.apply(*a).is_err()));
        assert!(!state.is_unfinished());
    }
}

/// One step a test driver may try; refused steps change nothing.
#[derive(Clone, Debug)]
enum Op {
    Propose {
        request: usize,
        mentor: usize,
    },
    /// Accept, decline, expire, cancel, complete or end early the request's
    /// live match.
    Answer {
        request: usize,
        action: MatchAction,
    },
    Withdraw {
        request: usize,
    },
    /// The request's program closed (as `service::requests::close_program`):
    /// a waiting request is closed and its unanswered proposal cancelled.
    CloseProgram {
        request: usize,
    },
    SetCapacity {
        mentor: usize,
        capacity: u8,
    },
}

fn op(requests: usize, mentors: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..requests, 0..mentors).prop_map(|(request, mentor)| Op::Propose { request, mentor }),
        4 => (0..requests, 0..MatchAction::ALL.len()).prop_map(|(request, a)| Op::Answer {
            request,
            action: MatchAction::ALL[a],
        }),
        1 => (0..requests).prop_map(|request| Op::Withdraw { request }),
        1 => (0..requests).prop_map(|request| Op::CloseProgram { request }),
        1 => (0..mentors, 1u8..=4).prop_map(|(mentor, capacity)| Op::SetCapacity { mentor, capacity }),
    ]
}

/// A few mentors (capacities 1–4), a few requests, and operations on them.
fn scenario() -> impl Strategy<Value = (Vec<u8>, usize, Vec<Op>)> {
    (prop::collection::vec(1u8..=4, 1..=3), 1usize..=6).prop_flat_map(|(capacities, requests)| {
        let ops = prop::collection::vec(op(requests, capacities.len()), 1..80);
        (Just(capacities), Just(requests), ops)
    })
}

#[derive(Clone, Debug, PartialEq)]
struct Mentor {
    capacity: Capacity,
    live: u8,
}

#[derive(Clone, Debug, PartialEq)]
struct Proposal {
    request: usize,
    mentor: usize,
    state: MatchState,
}

/// A model of the service's bookkeeping, moved only by domain functions.
#[derive(Clone, Debug, PartialEq)]
struct World {
    mentors: Vec<Mentor>,
    requests: Vec<RequestState>,
    matches: Vec<Proposal>,
    /// Requests closed with their program rather than by a mentorship.
    closed_with_program: Vec<bool>,
}

impl World {
    fn new(capacities: &[u8], requests: usize) -> Self {
        let mentors = capacities
            .iter()
            .map(|&c| Mentor {
                capacity: Capacity::try_from(i64::from(c)).unwrap(),
                live: 0,
            })
            .collect();
        Self {
            mentors,
            requests: vec![RequestState::Open; requests],
            matches: Vec::new(),
            closed_with_program: vec![false; requests],
        }
    }

    /// Applies `op` if the domain allows it; says whether it did.
    fn try_step(&mut self, op: &Op) -> bool {
        let before = self.clone();
        self.step(op).unwrap();
        *self != before
    }

    fn live_of(&self, request: usize) -> Option<usize> {
        self.matches
            .iter()
            .position(|m| m.request == request && m.state.is_live())
    }

    /// Fails only when the two state machines disagree: a match move the
    /// domain allows whose request move it refuses.
    fn step(&mut self, op: &Op) -> Result<(), TestCaseError> {
        match *op {
            Op::Propose { request, mentor } => {
                let Ok(next) = self.requests[request].apply(RequestAction::Propose) else {
                    return Ok(());
                };
                let m = &mut self.mentors[mentor];
                let Ok(live) = take_seat(m.capacity, m.live) else {
                    return Ok(());
                };
                m.live = live;
                self.requests[request] = next;
                self.matches.push(Proposal {
                    request,
                    mentor,
                    state: MatchState::Proposed,
                });
            }
            Op::Answer { request, action } => {
                let Some(i) = self.live_of(request) else {
                    return Ok(());
                };
                let Ok(to) = self.matches[i].state.apply(action) else {
                    return Ok(());
                };
                let request_action = MatchState::request_action(action);
                let request_to = self.requests[request].apply(request_action);
                prop_assert!(
                    request_to.is_ok(),
                    "a {:?} match takes {:?} but its {:?} request refuses {:?}",
                    self.matches[i].state,
                    action,
                    self.requests[request],
                    request_action
                );
                let Ok(request_to) = request_to else {
                    return Ok(());
                };
                let was_live = self.matches[i].state.is_live();
                self.matches[i].state = to;
                self.requests[request] = request_to;
                if was_live && !to.is_live() {
                    let m = &mut self.mentors[self.matches[i].mentor];
                    m.live = release_seat(m.live);
                }
            }
            Op::Withdraw { request } => {
                let Ok(to) = self.requests[request].apply(RequestAction::Withdraw) else {
                    return Ok(());
                };
                if let Some(i) = self.live_of(request) {
                    let Ok(cancelled) = self.matches[i].state.apply(MatchAction::Cancel) else {
                        return Ok(());
                    };
                    self.matches[i].state = cancelled;
                    let m = &mut self.mentors[self.matches[i].mentor];
                    m.live = release_seat(m.live);
                }
                self.requests[request] = to;
            }
            Op::CloseProgram { request } => {
                // Active mentorships run on to their end, so only a waiting
                // request closes with its program.
                if !matches!(
                    self.requests[request],
                    RequestState::Open | RequestState::Proposed
                ) {
                    return Ok(());
                }
                let Ok(to) = self.requests[request].apply(RequestAction::Close) else {
                    return Ok(());
                };
                if let Some(i) = self.live_of(request) {
                    let Ok(cancelled) = self.matches[i].state.apply(MatchAction::Cancel) else {
                        return Ok(());
                    };
                    self.matches[i].state = cancelled;
                    let m = &mut self.mentors[self.matches[i].mentor];
                    m.live = release_seat(m.live);
                }
                self.requests[request] = to;
                self.closed_with_program[request] = true;
            }
            Op::SetCapacity { mentor, capacity } => {
                let capacity = Capacity::try_from(i64::from(capacity)).unwrap();
                let m = &mut self.mentors[mentor];
                if check_capacity_change(capacity, m.live).is_ok() {
                    m.capacity = capacity;
                }
            }
        }
        Ok(())
    }

    fn check(&self) -> Result<(), TestCaseError> {
        for (i, m) in self.mentors.iter().enumerate() {
            let live = self
                .matches
                .iter()
                .filter(|p| p.mentor == i && p.state.is_live())
                .count();
            prop_assert_eq!(usize::from(m.live), live, "mentor {}'s count", i);
            prop_assert!(m.live <= m.capacity.get(), "mentor {} over capacity", i);
        }
        for (r, state) in self.requests.iter().enumerate() {
            let live: Vec<&Proposal> = self
                .matches
                .iter()
                .filter(|p| p.request == r && p.state.is_live())
                .collect();
            prop_assert!(
                live.len() <= 1,
                "request {} has {} live matches",
                r,
                live.len()
            );
            let expected = match live.first().map(|p| p.state) {
                Some(MatchState::Proposed) => vec![RequestState::Proposed],
                Some(MatchState::Active) => vec![RequestState::Matched],
                _ => vec![
                    RequestState::Open,
                    RequestState::Closed,
                    RequestState::Withdrawn,
                ],
            };
            prop_assert!(
                expected.contains(state),
                "request {} is {:?} with live {:?}",
                r,
                state,
                live.first().map(|p| p.state)
            );
            let mentored = self
                .matches
                .iter()
                .any(|p| p.request == r && p.state.is_finished());
            // Unanswered proposals re-open a request; only a finished
            // mentorship or its program closes it.
            prop_assert_eq!(
                *state == RequestState::Closed,
                mentored || self.closed_with_program[r],
                "request {} is {:?}",
                r,
                state
            );
        }
        Ok(())
    }
}

/// A fixed run, so the simulator is known to refuse and allow what it should
/// (a property over it would pass just as well if every step were refused).
#[test]
fn the_simulator_takes_and_gives_back_seats() {
    let mut world = World::new(&[1, 2], 3);
    let propose = |request, mentor| Op::Propose { request, mentor };
    let answer = |request, action| Op::Answer { request, action };
    assert!(world.try_step(&propose(0, 0)));
    assert!(!world.try_step(&propose(1, 0)), "mentor 0 has one seat");
    assert!(
        !world.try_step(&propose(0, 1)),
        "request 0 is already proposed"
    );
    assert!(world.try_step(&answer(0, MatchAction::Decline)));
    assert_eq!(world.requests[0], RequestState::Open);
    assert_eq!(world.mentors[0].live, 0);
    assert!(world.try_step(&propose(1, 0)));
    assert!(world.try_step(&answer(1, MatchAction::Accept)));
    assert!(world.try_step(&propose(0, 1)));
    assert!(world.try_step(&propose(2, 1)));
    assert!(!world.try_step(&Op::SetCapacity {
        mentor: 1,
        capacity: 1
    }));
    assert!(
        !world.try_step(&Op::Withdraw { request: 1 }),
        "request 1 is matched"
    );
    assert!(!world.try_step(&Op::CloseProgram { request: 1 }));
    assert!(world.try_step(&Op::CloseProgram { request: 2 }));
    assert_eq!(world.mentors[1].live, 1);
    assert!(world.try_step(&Op::SetCapacity {
        mentor: 1,
        capacity: 1
    }));
    assert!(world.try_step(&answer(1, MatchAction::Complete)));
    assert_eq!(
        world.requests,
        [
            RequestState::Proposed,
            RequestState::Closed,
            RequestState::Closed
        ]
    );
    assert_eq!((world.mentors[0].live, world.mentors[1].live), (0, 1));
    world.check().unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_interleaving_breaks_capacity_or_the_one_live_match_rule(
        (capacities, requests, ops) in scenario(),
    ) {
        let mut world = World::new(&capacities, requests);
        for op in &ops {
            world.step(op)?;
            world.check()?;
        }
    }

    #[test]
    fn random_action_sequences_stay_on_the_graph(
        start in 0usize..7,
        actions in prop::collection::vec(0usize..6, 0..20),
    ) {
        let mut state = MatchState::ALL[start];
        for a in actions {
            let action = MatchAction::ALL[a];
            let was_terminal = MATCH_TERMINAL.contains(&state);
            match state.apply(action) {
                Ok(to) => {
                    prop_assert!(!was_terminal, "{:?} took {:?}", state, action);
                    prop_assert_eq!(Some(to), legal_match(state, action));
                    prop_assert_ne!(to, state);
                    state = to;
                }
                Err(e) => {
                    prop_assert_eq!(legal_match(state, action), None);
                    prop_assert_eq!(e.from, state);
                    prop_assert_eq!(e.action, action);
                }
            }
        }
    }

    #[test]
    fn random_request_sequences_stay_on_the_graph(
        start in 0usize..5,
        actions in prop::collection::vec(0usize..5, 0..20),
    ) {
        let mut state = RequestState::ALL[start];
        for a in actions {
            let action = REQUEST_ACTIONS[a];
            let was_terminal = REQUEST_TERMINAL.contains(&state);
            match state.apply(action) {
                Ok(to) => {
                    prop_assert!(!was_terminal, "{:?} took {:?}", state, action);
                    prop_assert_eq!(Some(to), legal_request(state, action));
                    prop_assert_ne!(to, state);
                    state = to;
                }
                Err(e) => {
                    prop_assert_eq!(legal_request(state, action), None);
                    prop_assert_eq!(e.from, state);
                    prop_assert_eq!(e.action, action);
                }
            }
        }
    }
}

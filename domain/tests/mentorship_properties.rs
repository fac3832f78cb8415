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

#[test]
fn terminal_states_accept_nothing() {
    for state in [
        MatchState::Completed,
        MatchState::EndedEarly,
        MatchState::Declined,
        MatchState::Expired,
        MatchState::Cancelled,
    ] {
        assert!(MatchAction::ALL.iter().all(|a| state.apply(*a).is_err()));
        assert!(!state.is_live());
    }
    for state in [RequestState::Closed, RequestState::Withdrawn] {
        assert!(REQUEST_ACTIONS.iter().all(|a| state.apply(*a).is_err()));
        assert!(!state.is_unfinished());
    }
}

/// One step a test driver may try; refused steps change nothing.
#[derive(Clone, Debug)]
enum Op {
    Propose { request: usize, mentor: usize },
    Answer { request: usize, action: MatchAction },
    Withdraw { request: usize },
    SetCapacity { mentor: usize, capacity: u8 },
}

fn op(requests: usize, mentors: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..requests, 0..mentors).prop_map(|(request, mentor)| Op::Propose { request, mentor }),
        (0..requests, 0..MatchAction::ALL.len()).prop_map(|(request, a)| Op::Answer {
            request,
            action: MatchAction::ALL[a],
        }),
        (0..requests).prop_map(|request| Op::Withdraw { request }),
        (0..mentors, 1u8..=4).prop_map(|(mentor, capacity)| Op::SetCapacity { mentor, capacity }),
    ]
}

struct Mentor {
    capacity: Capacity,
    live: u8,
}

struct Proposal {
    request: usize,
    mentor: usize,
    state: MatchState,
}

/// A model of the service's bookkeeping, moved only by domain functions.
struct World {
    mentors: Vec<Mentor>,
    requests: Vec<RequestState>,
    matches: Vec<Proposal>,
}

impl World {
    fn live_of(&self, request: usize) -> Option<usize> {
        self.matches
            .iter()
            .position(|m| m.request == request && m.state.is_live())
    }

    fn step(&mut self, op: &Op) {
        match *op {
            Op::Propose { request, mentor } => {
                let Ok(next) = self.requests[request].apply(RequestAction::Propose) else {
                    return;
                };
                let m = &mut self.mentors[mentor];
                let Ok(live) = take_seat(m.capacity, m.live) else {
                    return;
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
                    return;
                };
                let Ok(to) = self.matches[i].state.apply(action) else {
                    return;
                };
                let request_action = MatchState::request_action(action);
                let Ok(request_to) = self.requests[request].apply(request_action) else {
                    return;
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
                    return;
                };
                if let Some(i) = self.live_of(request) {
                    let Ok(cancelled) = self.matches[i].state.apply(MatchAction::Cancel) else {
                        return;
                    };
                    self.matches[i].state = cancelled;
                    let m = &mut self.mentors[self.matches[i].mentor];
                    m.live = release_seat(m.live);
                }
                self.requests[request] = to;
            }
            Op::SetCapacity { mentor, capacity } => {
                let capacity = Capacity::try_from(i64::from(capacity)).unwrap();
                let m = &mut self.mentors[mentor];
                if check_capacity_change(capacity, m.live).is_ok() {
                    m.capacity = capacity;
                }
            }
        }
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
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_interleaving_breaks_capacity_or_the_one_live_match_rule(
        capacities in prop::collection::vec(1u8..=4, 1..4),
        requests in 1usize..8,
        ops in prop::collection::vec(op(8, 4), 1..80),
    ) {
        let mut world = World {
            mentors: capacities
                .iter()
                .map(|&c| Mentor { capacity: Capacity::try_from(i64::from(c)).unwrap(), live: 0 })
                .collect(),
            requests: vec![RequestState::Open; requests],
            matches: Vec::new(),
        };
        for op in &ops {
            let op = match op.clone() {
                Op::Propose { request, mentor } if request < requests && mentor < capacities.len() => Op::Propose { request, mentor },
                Op::Answer { request, action } if request < requests => Op::Answer { request, action },
                Op::Withdraw { request } if request < requests => Op::Withdraw { request },
                Op::SetCapacity { mentor, capacity } if mentor < capacities.len() => Op::SetCapacity { mentor, capacity },
                _ => continue,
            };
            world.step(&op);
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
            match state.apply(action) {
                Ok(to) => {
                    prop_assert_eq!(Some(to), legal_match(state, action));
                    state = to;
                }
                Err(e) => {
                    prop_assert_eq!(legal_match(state, action), None);
                    prop_assert_eq!(e.from, state);
                }
            }
        }
    }
}

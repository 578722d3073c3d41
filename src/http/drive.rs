//! The attempt driver: sends what an [`Attempts`] asks for, retries as its
//! [`Policy`] says, and times every attempt. It knows nothing of JS: the
//! I/O comes in through a [`Runtime`], which the tests fake.

use std::future::Future;

use super::{Policy, Sent, UpstreamRequest};

/// What the driver needs from the runtime it runs in.
pub trait Runtime {
    /// Sends `request` once: the answer read up to the policy's `limit`
    /// bytes, within its `timeout_ms`, a redirect never followed.
    fn send(&self, request: &UpstreamRequest, policy: &Policy) -> impl Future<Output = Sent>;
    /// Waits `ms` milliseconds.
    fn sleep(&self, ms: u32) -> impl Future<Output = ()>;
    /// The clock, in ms since the Unix epoch.
    fn now_ms(&self) -> f64;
    /// A random number in `[0, 1)`, for the pause before a retry.
    fn random(&self) -> f64;
}

/// One request's last attempt, as the driver hands it to [`Attempts::after`].
#[derive(Clone, Debug, PartialEq)]
pub struct Tried {
    /// What it came to.
    pub sent: Sent,
    /// How long that attempt took, in ms.
    pub ms: f64,
    /// The clock when it ended, in ms since the Unix epoch.
    pub now_ms: f64,
}

/// What comes after a request's last attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Then<T> {
    /// Send [`Attempts::request`] again (it has changed: a fallback).
    Send,
    /// The exchange is over.
    Done(T),
}

/// The requests of one exchange, as a core module decides them.
pub trait Attempts {
    /// What the exchange ends with.
    type Done;
    /// How each request is sent (timeout, size bound, retries).
    fn policy(&self) -> Policy;
    /// The request to send next.
    fn request(&mut self) -> UpstreamRequest;
    /// What the last attempt of the request leads to. The attempts the
    /// policy retried are not shown: only the one that was kept.
    fn after(&mut self, tried: Tried) -> Then<Self::Done>;
}

/// What an exchange came to.
#[derive(Clone, Debug, PartialEq)]
pub struct Driven<T> {
    /// The plan's result.
    pub done: T,
    /// Every attempt sent, retries and fallbacks included.
    pub attempts: u32,
    /// From the first attempt to the end of the last, pauses included, in ms.
    pub ms: f64,
}

/// Runs the exchange `plan` describes on `runtime`: sends each request,
/// sends it again after the policy's pause while [`Policy::retries`] says
/// so, and hands the attempt kept to [`Attempts::after`] until it is done.
pub async fn drive<P: Attempts, R: Runtime>(plan: &mut P, runtime: &R) -> Driven<P::Done> {
    let policy = plan.policy();
    let started = runtime.now_ms();
    let mut attempts = 0;
    loop {
        let request = plan.request();
        let mut number = 0;
        let tried = loop {
            number += 1;
            attempts += 1;
            let begun = runtime.now_ms();
            let sent = runtime.send(&request, &policy).await;
            if policy.retries(&sent, number) {
                runtime.sleep(policy.delay_ms(runtime.random())).await;
                continue;
            }
            let now_ms = runtime.now_ms();
            break Tried {
                sent,
                ms: now_ms - begun,
                now_ms,
            };
        };
        let ended = tried.now_ms;
        if let Then::Done(done) = plan.after(tried) {
            return Driven {
                done,
                attempts,
                ms: (ended - started).max(0.0),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::testing::{block_on, get, status, Fake};
    use crate::http::Failure;

    /// Sends one request; done with whatever its kept attempt came to.
    struct Once(Policy);

    impl Attempts for Once {
        type Done = Sent;
        fn policy(&self) -> Policy {
            self.0
        }
        fn request(&mut self) -> UpstreamRequest {
            get("/v2/rates/90002")
        }
        fn after(&mut self, tried: Tried) -> Then<Sent> {
            Then::Done(tried.sent)
        }
    }

    fn retrying(max_attempts: u32) -> Policy {
        Policy {
            max_attempts,
            retry_min_ms: 50,
            retry_jitter_ms: 200,
            ..Policy::once(5000, 1024)
        }
    }

    #[test]
    fn a_transient_failure_is_sent_again_after_the_pause() {
        let fake = Fake::new([status(503), status(200)]);
        let driven = block_on(drive(&mut Once(retrying(2)), &fake));
        assert_eq!((driven.done, driven.attempts), (status(200), 2));
        // The fake's random is 0.5: 50 + 0.5 * 200 ms.
        assert_eq!(fake.sleeps(), [150]);
        // Each send takes the fake 10 ms: two sends and the pause.
        assert_eq!(driven.ms, 170.0);
        assert_eq!(fake.sent().len(), 2);
        assert_eq!(fake.limits(), [(5000, 1024), (5000, 1024)]);
    }

    #[test]
    fn attempts_stop_at_the_policys_most() {
        let fake = Fake::new([status(500), Err(Failure::TimedOut), status(502)]);
        let driven = block_on(drive(&mut Once(retrying(3)), &fake));
        assert_eq!((driven.done, driven.attempts), (status(502), 3));
        assert_eq!(fake.sleeps(), [150, 150]);
        let fake = Fake::new([status(500), status(200)]);
        let driven = block_on(drive(&mut Once(retrying(1)), &fake));
        assert_eq!((driven.done, driven.attempts), (status(500), 1));
        assert!(fake.sleeps().is_empty());
    }

    #[test]
    fn answers_that_would_come_again_are_not_retried() {
        let big = Err(Failure::TooLarge {
            status: 200,
            limit: 1024,
        });
        for sent in [status(200), status(404), status(429), big] {
            let fake = Fake::new([sent.clone(), status(200)]);
            let driven = block_on(drive(&mut Once(retrying(2)), &fake));
            assert_eq!((driven.done, driven.attempts), (sent, 1));
            assert!(fake.sleeps().is_empty());
        }
    }

    /// A plan that falls back once: its second request is another.
    struct Fallback {
        sent: Vec<f64>,
    }

    impl Attempts for Fallback {
        type Done = Vec<f64>;
        fn policy(&self) -> Policy {
            Policy::once(1000, 64)
        }
        fn request(&mut self) -> UpstreamRequest {
            get(&format!("/v2/call/{}", self.sent.len()))
        }
        fn after(&mut self, tried: Tried) -> Then<Vec<f64>> {
            self.sent.push(tried.ms);
            match self.sent.len() {
                1 => Then::Send,
                _ => Then::Done(std::mem::take(&mut self.sent)),
            }
        }
    }

    #[test]
    fn a_fallback_is_the_plans_next_request_timed_on_its_own() {
        let fake = Fake::new([Err(Failure::Failed("reset".into())), status(201)]);
        let driven = block_on(drive(&mut Fallback { sent: Vec::new() }, &fake));
        assert_eq!((driven.done, driven.attempts), (vec![10.0, 10.0], 2));
        // Policy::once: the network failure is not retried, it goes to the plan.
        assert!(fake.sleeps().is_empty());
        let urls: Vec<String> = fake.sent().into_iter().map(|r| r.url).collect();
        assert_eq!(
            urls,
            ["https://api.test/v2/call/0", "https://api.test/v2/call/1"]
        );
        assert_eq!(fake.limits(), [(1000, 64), (1000, 64)]);
    }
}

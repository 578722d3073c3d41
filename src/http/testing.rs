//! A fake [`Runtime`] and a one-poll executor for the driver's tests.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use super::{Answer, Policy, Runtime, Sent, UpstreamRequest};

/// Runs `future` to its end. The fake runtime never waits, so one poll is
/// enough; a future still pending after it is a bug in the test.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Never;
    impl Wake for Never {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Never));
    match pin!(future).poll(&mut Context::from_waker(&waker)) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the fake runtime never waits"),
    }
}

/// An answer with `status` and an empty body.
pub fn status(status: u16) -> Sent {
    Ok(Answer {
        status,
        body: String::new(),
        retry_after: None,
    })
}

/// A `GET` of `path` on the fake's API.
pub fn get(path: &str) -> UpstreamRequest {
    UpstreamRequest {
        method: "GET".into(),
        url: format!("https://api.test{path}"),
        headers: Vec::new(),
        body: None,
    }
}

/// Answers with the given results in turn; each send takes 10 ms of its
/// clock and each pause its length; `random` is always 0.5.
pub struct Fake {
    answers: RefCell<VecDeque<Sent>>,
    sent: RefCell<Vec<(UpstreamRequest, u32, usize)>>,
    sleeps: RefCell<Vec<u32>>,
    clock: Cell<f64>,
}

impl Fake {
    /// A fake that gives `answers` in order.
    pub fn new(answers: impl IntoIterator<Item = Sent>) -> Fake {
        Fake {
            answers: RefCell::new(answers.into_iter().collect()),
            sent: RefCell::new(Vec::new()),
            sleeps: RefCell::new(Vec::new()),
            clock: Cell::new(1_700_000_000_000.0),
        }
    }

    /// The requests sent, in order.
    pub fn sent(&self) -> Vec<UpstreamRequest> {
        self.sent.borrow().iter().map(|s| s.0.clone()).collect()
    }

    /// The timeout and size bound of each send.
    pub fn limits(&self) -> Vec<(u32, usize)> {
        self.sent.borrow().iter().map(|s| (s.1, s.2)).collect()
    }

    /// The pauses taken, in ms.
    pub fn sleeps(&self) -> Vec<u32> {
        self.sleeps.borrow().clone()
    }
}

impl Runtime for Fake {
    fn send(&self, request: &UpstreamRequest, policy: &Policy) -> impl Future<Output = Sent> {
        let entry = (request.clone(), policy.timeout_ms, policy.limit);
        self.sent.borrow_mut().push(entry);
        self.clock.set(self.clock.get() + 10.0);
        let answer = self.answers.borrow_mut().pop_front();
        async move { answer.expect("the fake has no more answers") }
    }

    fn sleep(&self, ms: u32) -> impl Future<Output = ()> {
        self.sleeps.borrow_mut().push(ms);
        self.clock.set(self.clock.get() + f64::from(ms));
        async {}
    }

    fn now_ms(&self) -> f64 {
        self.clock.get()
    }

    fn random(&self) -> f64 {
        0.5
    }
}

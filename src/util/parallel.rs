//! A small parallel map over the machine's cores, keeping the input order (std threads, no extra crate):
//! over a slice ([`map`]), or over an iterator whose items are taken only as workers free up, the results
//! handed on in input order with a bounded number of items in between ([`for_each_ordered`]).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// Applies `f` to every item on up to `available_parallelism` threads; results come back in input order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = f(item);
                    *slots[i].lock().expect("a worker panicked") = Some(result);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|s| {
            s.into_inner()
                .expect("a worker panicked")
                .expect("every item ran")
        })
        .collect()
}

/// Applies `f` to every item of `items` on up to `available_parallelism` threads and hands the results to
/// `sink` in input order, on the calling thread, as soon as each one and all before it are done.
///
/// Items are taken from the iterator only while fewer than `bound` of them are taken and not yet handed to
/// `sink` (running, or done and waiting for an earlier one): so at most `bound` items and results are ever
/// held, however long the iterator — a stack of scanned pages streams through in constant memory.
pub fn for_each_ordered<T: Send, R: Send>(
    items: impl Iterator<Item = T> + Send,
    bound: usize,
    f: impl Fn(T) -> R + Sync,
    mut sink: impl FnMut(R),
) {
    let bound = bound.max(1);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(bound);
    // Items taken and not yet handed on; workers wait while it is `bound`.
    let in_flight = Mutex::new(0usize);
    let slot_freed = Condvar::new();
    // The iterator and the index of its next item; `None` once it has run out.
    let source = Mutex::new(Some((items, 0usize)));
    // Set when a worker panics, so no other waits for a slot that will never free (the panic then
    // reaches the caller when the threads are joined).
    let stop = AtomicBool::new(false);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<(usize, R)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let (in_flight, slot_freed, source, f, stop) =
                (&in_flight, &slot_freed, &source, &f, &stop);
            scope.spawn(move || {
                let _wake_on_panic = WakeOnPanic {
                    in_flight,
                    slot_freed,
                    stop,
                };
                loop {
                    {
                        let mut n = in_flight.lock().expect("a worker panicked");
                        while *n >= bound && !stop.load(Ordering::SeqCst) {
                            n = slot_freed.wait(n).expect("a worker panicked");
                        }
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        *n += 1;
                    }
                    let next = {
                        let mut source = source.lock().expect("a worker panicked");
                        match source
                            .as_mut()
                            .and_then(|(it, i)| it.next().map(|t| (t, *i)))
                        {
                            Some((item, i)) => {
                                if let Some((_, next)) = source.as_mut() {
                                    *next += 1;
                                }
                                Some((i, item))
                            }
                            None => {
                                *source = None;
                                None
                            }
                        }
                    };
                    let Some((i, item)) = next else {
                        *in_flight.lock().expect("a worker panicked") -= 1;
                        slot_freed.notify_all();
                        break;
                    };
                    if done_tx.send((i, f(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        // Results that finished before an earlier one, by index.
        let mut waiting: BTreeMap<usize, R> = BTreeMap::new();
        let mut next = 0;
        for (i, r) in done_rx {
            waiting.insert(i, r);
            while let Some(r) = waiting.remove(&next) {
                sink(r);
                next += 1;
                *in_flight.lock().expect("a worker panicked") -= 1;
                slot_freed.notify_all();
            }
        }
    });
}

/// Tells the other workers to stop when the worker holding it panics.
struct WakeOnPanic<'a> {
    in_flight: &'a Mutex<usize>,
    slot_freed: &'a Condvar,
    stop: &'a AtomicBool,
}

impl Drop for WakeOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Under the lock, so a worker between its check and its wait cannot miss the wake-up.
            let _n = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            self.stop.store(true, Ordering::SeqCst);
            self.slot_freed.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let items: Vec<u32> = (0..100).collect();
        assert_eq!(
            super::map(&items, |x| x * 2),
            (0..100).map(|x| x * 2).collect::<Vec<_>>()
        );
    }

    #[test]
    fn streams_in_order_never_taking_more_than_the_bound() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        for bound in [1, 2, 3, 8] {
            let taken = AtomicUsize::new(0);
            let running = AtomicUsize::new(0);
            let most_running = AtomicUsize::new(0);
            let items = (0..200u64).inspect(|_| {
                taken.fetch_add(1, Ordering::SeqCst);
            });
            let mut out = Vec::new();
            super::for_each_ordered(
                items,
                bound,
                |x| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most_running.fetch_max(now, Ordering::SeqCst);
                    // Uneven work, so results finish out of order.
                    let r = (0..(x % 7) * 2000).fold(x, |a, b| a.wrapping_mul(31).wrapping_add(b));
                    running.fetch_sub(1, Ordering::SeqCst);
                    (x, r)
                },
                |(x, _)| {
                    // Taken from the iterator but not yet handed on: never more than the bound.
                    let held = taken.load(Ordering::SeqCst) - out.len();
                    assert!(held <= bound, "{held} items held with bound {bound}");
                    out.push(x);
                },
            );
            assert_eq!(out, (0..200).collect::<Vec<_>>());
            assert!(most_running.load(Ordering::SeqCst) <= bound);
        }
        // An empty iterator: nothing handed on, no hang.
        let mut none = 0;
        super::for_each_ordered(std::iter::empty::<u8>(), 4, |x| x, |_| none += 1);
        assert_eq!(none, 0);
    }

    #[test]
    fn a_panicking_item_reaches_the_caller_instead_of_hanging() {
        let caught = std::panic::catch_unwind(|| {
            super::for_each_ordered(
                0..50u32,
                2,
                |x| {
                    assert!(x != 7, "item 7 fails");
                    x
                },
                |_| {},
            )
        });
        assert!(caught.is_err());
    }
}

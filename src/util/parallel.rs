//! A small parallel map over the machine's cores, keeping the input order, and an ordered pipeline whose
//! results wait in a bounded queue (std threads, no extra crate).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// Makes items `0..count` on up to `available_parallelism` threads and hands each to `take` on the calling
/// thread in index order, as soon as it and every item before it are made. At most `window` items are
/// made ahead of the one `take` waits for, so however many items there are, only that many results are held
/// at once (a bounded queue): a class of 10,000 students costs the memory of a few. `make` runs in any
/// order on any thread; `take` sees the items in order, so what it writes does not depend on the threads.
/// The first error in index order (of `make` or `take`) stops the pipeline and is returned.
pub fn ordered<R: Send, E: Send>(
    count: usize,
    window: usize,
    make: impl Fn(usize) -> Result<R, E> + Sync,
    mut take: impl FnMut(usize, R) -> Result<(), E>,
) -> Result<(), E> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(count);
    if threads <= 1 {
        for i in 0..count {
            take(i, make(i)?)?;
        }
        return Ok(());
    }
    let window = window.max(threads);
    let state = Mutex::new(Pipeline {
        next: 0,
        taken: 0,
        stop: false,
        made: BTreeMap::new(),
    });
    let changed = Condvar::new();
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = {
                        let mut s = lock();
                        while !s.stop && s.next < count && s.next >= s.taken + window {
                            s = changed.wait(s).unwrap_or_else(|e| e.into_inner());
                        }
                        if s.stop || s.next >= count {
                            break;
                        }
                        s.next += 1;
                        s.next - 1
                    };
                    // A panic in `make` must not leave the taker waiting for an item that never comes.
                    let made = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| make(i)));
                    let mut s = lock();
                    s.made.insert(i, made);
                    changed.notify_all();
                }
            });
        }
        let stop = |result| {
            lock().stop = true;
            changed.notify_all();
            result
        };
        for i in 0..count {
            let made = {
                let mut s = lock();
                loop {
                    if let Some(made) = s.made.remove(&i) {
                        s.taken = i + 1;
                        break made;
                    }
                    s = changed.wait(s).unwrap_or_else(|e| e.into_inner());
                }
            };
            changed.notify_all();
            let result = match made {
                Ok(Ok(item)) => take(i, item),
                Ok(Err(e)) => Err(e),
                Err(panic) => {
                    let _ = stop(Ok(()));
                    std::panic::resume_unwind(panic)
                }
            };
            if result.is_err() {
                return stop(result);
            }
        }
        Ok(())
    })
}

/// The shared state of [`ordered`]: the next index to make, how many were taken, and the made items
/// waiting (each a result, or the panic of its `make`).
struct Pipeline<R, E> {
    next: usize,
    taken: usize,
    stop: bool,
    made: BTreeMap<usize, std::thread::Result<Result<R, E>>>,
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
    fn ordered_takes_every_item_in_order_and_holds_no_more_than_the_window() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let ahead = AtomicUsize::new(0);
        let taken = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let mut seen = Vec::new();
        super::ordered(
            200,
            4,
            |i| {
                // Items are made out of order on purpose: odd ones take longer.
                if i % 2 == 1 {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                let waiting =
                    ahead.fetch_add(1, Ordering::SeqCst) + 1 - taken.load(Ordering::SeqCst);
                most.fetch_max(waiting, Ordering::SeqCst);
                Ok::<_, String>(i * 3)
            },
            |i, item| {
                taken.fetch_add(1, Ordering::SeqCst);
                assert_eq!(item, i * 3);
                seen.push(i);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        // The window, plus the items being made when the taker moved on.
        assert!(
            most.load(Ordering::SeqCst) <= 4.max(threads) + threads,
            "{most:?}"
        );
    }

    #[test]
    fn ordered_stops_at_the_first_error_in_order() {
        let mut taken = Vec::new();
        let err = super::ordered(
            100,
            3,
            |i| if i == 7 || i == 40 { Err(i) } else { Ok(i) },
            |i, _| {
                taken.push(i);
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(err, 7);
        assert_eq!(taken, (0..7).collect::<Vec<_>>());
        let err = super::ordered(10, 3, Ok::<usize, usize>, |i, _| {
            if i == 5 { Err(50) } else { Ok(()) }
        })
        .unwrap_err();
        assert_eq!(err, 50);
    }
}

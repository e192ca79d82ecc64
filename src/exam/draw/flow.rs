//! Difficulty levels allocated to sections by a small min-cost flow, so a reachable mix is always met.

/// Splits each cell's count over the difficulty levels so that the part's level targets are met as closely
/// as the supply allows: a min-cost flow from cells to levels, where a question beyond a level's target
/// costs 1. `supply[c][l]` is how many groups of level `l` cell `c` offers.
pub fn allocate_levels(
    wants: &[usize],
    supply: &[[usize; 5]],
    targets: &[usize; 5],
) -> Vec<[usize; 5]> {
    // Nodes: 0 source, 1..=C cells, C+1..=C+5 levels, C+6 sink.
    let c = wants.len();
    let sink = c + 6;
    let mut graph = MinCostFlow::new(c + 7);
    for (i, want) in wants.iter().enumerate() {
        graph.edge(0, 1 + i, *want as i64, 0);
        for l in 0..5 {
            graph.edge(1 + i, c + 1 + l, supply[i][l] as i64, 0);
        }
    }
    for (l, target) in targets.iter().enumerate() {
        graph.edge(c + 1 + l, sink, *target as i64, 0);
        graph.edge(c + 1 + l, sink, i64::MAX / 4, 1);
    }
    graph.run(0, sink);
    (0..c)
        .map(|i| {
            let mut levels = [0usize; 5];
            for e in &graph.edges {
                if e.from == 1 + i && e.to > c && e.to <= c + 5 && e.cap_original > 0 {
                    levels[e.to - c - 1] += (e.cap_original - e.cap) as usize;
                }
            }
            levels
        })
        .collect()
}

pub(super) struct FlowEdge {
    from: usize,
    to: usize,
    cap: i64,
    cap_original: i64,
    cost: i64,
}

/// Successive shortest paths with Bellman–Ford; the graphs here have a few dozen nodes.
pub(super) struct MinCostFlow {
    edges: Vec<FlowEdge>,
    adjacent: Vec<Vec<usize>>,
}

impl MinCostFlow {
    fn new(nodes: usize) -> MinCostFlow {
        MinCostFlow {
            edges: Vec::new(),
            adjacent: vec![Vec::new(); nodes],
        }
    }

    fn edge(&mut self, from: usize, to: usize, cap: i64, cost: i64) {
        self.adjacent[from].push(self.edges.len());
        self.edges.push(FlowEdge {
            from,
            to,
            cap,
            cap_original: cap,
            cost,
        });
        self.adjacent[to].push(self.edges.len());
        self.edges.push(FlowEdge {
            from: to,
            to: from,
            cap: 0,
            cap_original: 0,
            cost: -cost,
        });
    }

    fn run(&mut self, source: usize, sink: usize) {
        let n = self.adjacent.len();
        loop {
            let mut dist = vec![i64::MAX; n];
            let mut via = vec![usize::MAX; n];
            dist[source] = 0;
            for _ in 0..n {
                let mut changed = false;
                for (i, e) in self.edges.iter().enumerate() {
                    if e.cap > 0 && dist[e.from] != i64::MAX && dist[e.from] + e.cost < dist[e.to] {
                        dist[e.to] = dist[e.from] + e.cost;
                        via[e.to] = i;
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
            if dist[sink] == i64::MAX {
                return;
            }
            let mut push = i64::MAX;
            let mut v = sink;
            while v != source {
                let e = &self.edges[via[v]];
                push = push.min(e.cap);
                v = e.from;
            }
            let mut v = sink;
            while v != source {
                let i = via[v];
                self.edges[i].cap -= push;
                self.edges[i ^ 1].cap += push;
                v = self.edges[i].from;
            }
        }
    }
}

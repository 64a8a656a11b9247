//! Deterministic random streams: one per agent, derived from the scenario
//! seed and the agent id, never from a shared generator.
//!
//! ChaCha8 is a named, portable generator (unlike `StdRng`, whose algorithm
//! may change between rand releases), and its 64-bit stream number gives every
//! agent an independent stream under one key. An agent draws from its own
//! xoshiro128++ (also named and portable), seeded once from its ChaCha8
//! stream: 16 bytes of state that live in the agent's record, so a wake-up
//! costs no keystream block, and a decision can run on a copy of the state.

use rand::distr::{Bernoulli, Distribution as _};
use rand::rngs::{ChaCha8Rng, Xoshiro128PlusPlus};
use rand::{Rng, SeedableRng};

/// An agent's own generator.
pub type AgentRng = Xoshiro128PlusPlus;

/// The stream of agent `agent` for scenario seed `seed`.
pub fn agent_stream(seed: u64, agent: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::from(agent));
    rng
}

/// Every agent's stream under one seed.
#[derive(Clone, Debug)]
pub struct Streams {
    key: [u8; 32],
}

impl Streams {
    /// The streams of the run with this seed (the scenario's seed).
    pub fn new(seed: u64) -> Streams {
        // The key seed_from_u64 derives, so stream(a) is agent_stream(seed, a).
        Streams { key: ChaCha8Rng::seed_from_u64(seed).get_seed() }
    }

    /// ChaCha8 stream number `stream` under the run's key: agents use their
    /// id; see [`GROUP_STREAMS`] and [`MACRO_STREAM`] for the others.
    pub fn stream(&self, stream: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.key);
        rng.set_stream(stream);
        rng
    }

    /// Agent `agent`'s generator: xoshiro128++ seeded from the first 16
    /// bytes of the agent's ChaCha8 stream.
    pub fn agent(&self, agent: u32) -> AgentRng {
        let mut seed = [0u8; 16];
        rand::Rng::fill_bytes(&mut self.stream(u64::from(agent)), &mut seed);
        AgentRng::from_seed(seed)
    }
}

/// First stream number of the per-group streams (Hawkes arrivals): above
/// every agent id, which is a `u32`.
pub const GROUP_STREAMS: u64 = 1 << 40;
/// The stream of the macro environment.
pub const MACRO_STREAM: u64 = 1 << 41;
/// First stream number of the per-group sale-excitation streams.
pub const SALE_STREAMS: u64 = (1 << 41) + (1 << 32);

/// A fixed probability, drawn from as [`rand::RngExt::random_bool`] draws
/// (rand's `Bernoulli`: one `u64` against p·2⁶⁴, none at p = 1), with p
/// turned into that threshold once instead of at every draw: the same
/// draws, without a float-to-integer conversion per decision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Chance {
    p: f64,
    /// None only for a p outside [0, 1], which validation refuses.
    dist: Option<Bernoulli>,
}

impl Chance {
    /// Probability `p`, from 0 to 1. The families' parameters are
    /// validated as such before a group is built; any other value (which
    /// `random_bool` would panic on) never happens and draws nothing.
    pub(crate) fn new(p: f64) -> Chance {
        Chance { p, dist: Bernoulli::new(p).ok() }
    }

    /// The probability it was made with.
    pub(crate) fn p(&self) -> f64 {
        self.p
    }

    /// One draw: what `rng.random_bool(p)` gives, from the same words.
    #[inline]
    pub(crate) fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> bool {
        self.dist.is_some_and(|d| d.sample(rng))
    }
}

/// A stream for set-up draws (budgets, scores), apart from every agent stream.
pub fn setup_stream(seed: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::MAX);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: u64 = agent_stream(7, 1).random();
        let b: u64 = agent_stream(7, 1).random();
        let c: u64 = agent_stream(7, 2).random();
        let d: u64 = agent_stream(8, 1).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    /// A `Chance` gives what `random_bool` gives and leaves the generator
    /// where `random_bool` leaves it, at every p: 1 draws nothing, 0 (and
    /// anything below 2⁻⁶⁴) draws a word and is false.
    #[test]
    fn a_chance_draws_as_random_bool_does() {
        for p in [0.0, -0.0, 5e-324, 1e-300, 0.05, 0.3, 0.5, 0.999_999, 1.0] {
            let chance = Chance::new(p);
            assert_eq!(chance.p(), p);
            let (mut a, mut b) = (Streams::new(11).agent(5), Streams::new(11).agent(5));
            for _ in 0..1000 {
                assert_eq!(chance.draw(&mut a), b.random_bool(p), "p = {p}");
            }
            assert_eq!(a.random::<u64>(), b.random::<u64>(), "p = {p}");
        }
        let mut rng = Streams::new(11).agent(5);
        assert!((0..100).all(|_| !Chance::new(1.5).draw(&mut rng) && !Chance::new(f64::NAN).draw(&mut rng)));
    }

    #[test]
    fn agent_generators_are_reproducible_and_distinct() {
        fn first(mut r: AgentRng) -> [u64; 4] {
            std::array::from_fn(|_| r.random())
        }
        let streams = Streams::new(7);
        assert_eq!(first(streams.agent(3)), first(streams.agent(3)));
        assert_ne!(first(streams.agent(3)), first(streams.agent(4)));
        assert_ne!(first(streams.agent(3)), first(Streams::new(8).agent(3)));
        assert_eq!(std::mem::size_of::<AgentRng>(), 16);
    }

    /// Pins the generators: if rand or chacha20 ever changed ChaCha8's or
    /// xoshiro128++'s output, every stored result would silently change with it.
    #[test]
    fn generators_are_pinned() {
        let v: u64 = agent_stream(42, 7).random();
        assert_eq!(v, PINNED);
        let w: u64 = Streams::new(42).agent(7).random();
        assert_eq!(w, PINNED_AGENT);
    }

    const PINNED: u64 = 2_370_525_664_269_707_216;
    const PINNED_AGENT: u64 = 4_663_791_852_355_743_892;
}

//! tplus: a discrete-event, agent-based simulator of a market for short-term
//! internet-finance products. See ARCHITECTURE.md for the map of the code.

pub mod agents;
pub mod book;
pub mod cache;
pub mod calendar;
pub mod cli;
pub mod credit;
pub mod engine;
pub mod macro_env;
pub mod metrics;
pub mod platform;
pub mod random;
pub mod report;
pub mod results;
pub mod scenario;
pub mod sweep;
pub mod tui;

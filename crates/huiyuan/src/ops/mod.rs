//! Operations endpoints for load balancers and monitoring: `/healthz` (the process is up),
//! `/readyz` (the database answers), `/metrics` (Prometheus), and the static assets.

pub mod routes;

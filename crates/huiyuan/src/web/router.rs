//! `Routes`: the router plus a list of every (method, path) it serves, so tests can check
//! that each route has an authorization test and each API route is in the OpenAPI document,
//! and which routes are public (under the per-address limit).
//! Generic over the state, so the web layer does not depend on the application's state.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, patch, post, put};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    /// Open to anyone and doing work: under the per-address public limit.
    pub public: bool,
}

pub struct Routes<S> {
    router: Router<S>,
    list: Vec<RouteInfo>,
}

impl<S: Clone + Send + Sync + 'static> Default for Routes<S> {
    fn default() -> Self {
        Routes { router: Router::new(), list: Vec::new() }
    }
}

macro_rules! method_fn {
    ($name:ident, $routing:ident, $method:expr) => {
        pub fn $name<H, T>(self, path: &'static str, handler: H) -> Self
        where
            H: Handler<T, S>,
            T: 'static,
        {
            self.route(path, $method, $routing(handler))
        }
    };
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub fn new() -> Self {
        Self::default()
    }

    method_fn!(get, get, Method::GET);
    method_fn!(post, post, Method::POST);
    method_fn!(patch, patch, Method::PATCH);
    method_fn!(put, put, Method::PUT);
    method_fn!(delete, delete, Method::DELETE);

    /// Add a route built by hand (e.g. with its own body limit layer).
    pub fn route(mut self, path: &'static str, method: Method, method_router: MethodRouter<S>) -> Self {
        self.router = self.router.route(path, method_router);
        self.list.push(RouteInfo { method, path, public: false });
        self
    }

    /// Put every route added so far under the per-address limit of public routes (signed-in
    /// staff are not counted): for routes anyone may call that read the database or render.
    pub fn public(mut self) -> Self {
        self.router = self.router.route_layer(axum::middleware::from_fn(super::throttle::public));
        for r in &mut self.list {
            r.public = true;
        }
        self
    }

    pub fn merge(mut self, other: Routes<S>) -> Self {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }

    pub fn into_parts(self) -> (Router<S>, Vec<RouteInfo>) {
        (self.router, self.list)
    }
}

//! `Routes`: the router plus a list of every (method, path) it serves, so tests can check
//! that each route has an authorization test and each API route is in the OpenAPI document.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, patch, post};

use crate::app::AppState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
}

#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    list: Vec<RouteInfo>,
}

macro_rules! method_fn {
    ($name:ident, $routing:ident, $method:expr) => {
        pub fn $name<H, T>(self, path: &'static str, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.route(path, $method, $routing(handler))
        }
    };
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    method_fn!(get, get, Method::GET);
    method_fn!(post, post, Method::POST);
    method_fn!(patch, patch, Method::PATCH);
    method_fn!(delete, delete, Method::DELETE);

    /// Add a route built by hand (e.g. with its own body limit layer).
    pub fn route(mut self, path: &'static str, method: Method, method_router: MethodRouter<AppState>) -> Self {
        self.router = self.router.route(path, method_router);
        self.list.push(RouteInfo { method, path });
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.list.extend(other.list);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteInfo>) {
        (self.router, self.list)
    }
}

//! The route table: every path route is registered with the role it needs, and only a
//! handler whose first argument is [`Require<R>`] for that same role is accepted (checked
//! by the compiler through [`FirstArg`]). The table is kept beside the router so a test can
//! enumerate every (route, operation, access) triple, together with the multiplexed
//! endpoints' dispatch tables.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, on};

use crate::http::extract::{Access, OperationName, Require, RoleMarker};
use crate::http::state::AppState;

/// One registered operation: where it is, what it is called, who may call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// HTTP method.
    pub method: Method,
    /// Path (`/` for the multiplexed AWS endpoint).
    pub path: &'static str,
    /// The `X-Amz-Target` prefix of a dispatched operation (`AWSEvents.`, `AmazonSSM.`);
    /// `None` for path routes.
    pub target_prefix: Option<&'static str>,
    /// Operation name (`GetResponsePlan`, `PutRule`).
    pub operation: &'static str,
    /// Who may call it.
    pub access: Access,
}

/// The HTTP methods operations use (rest-json reads are GET, UntagResource is DELETE,
/// everything else POST).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
}

/// Implemented by axum's handler argument tuples `(M, X, …)` whose first extractor is `X`.
pub trait FirstArg<X> {}

macro_rules! first_arg {
    ($($rest:ident),*) => {
        impl<M, X, $($rest),*> FirstArg<X> for (M, X, $($rest),*) {}
    };
}
first_arg!();
first_arg!(A);
first_arg!(A, B);
first_arg!(A, B, C);
first_arg!(A, B, C, D);
first_arg!(A, B, C, D, E);

/// Path routes with their roles.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteSpec>,
}

impl Routes {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// `verb path` runs `handler`, whose first argument is `Require<R>`: the route is
    /// listed with `R`'s access, and a handler asking for another role does not compile.
    pub fn route<R, H, T>(
        mut self,
        verb: Verb,
        path: &'static str,
        operation: &'static str,
        handler: H,
    ) -> Self
    where
        R: RoleMarker,
        H: Handler<T, AppState>,
        T: FirstArg<Require<R>> + 'static,
    {
        let (method, filter) = match verb {
            Verb::Get => (Method::GET, MethodFilter::GET),
            Verb::Post => (Method::POST, MethodFilter::POST),
            Verb::Delete => (Method::DELETE, MethodFilter::DELETE),
        };
        self.table.push(RouteSpec {
            method,
            path,
            target_prefix: None,
            operation,
            access: R::ACCESS,
        });
        self.router = self.router.route(
            path,
            on(filter, handler).layer(axum::Extension(OperationName(operation))),
        );
        self
    }

    /// Adds another table's routes.
    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// The router and its table.
    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.table)
    }
}

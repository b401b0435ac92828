//! The one loop that reads every page of a paginated list by following its next tokens.
//!
//! ssm-incidents (`nextToken`) and EventBridge (`NextToken`) paginate the same way: ask with no
//! token, then with the token the previous page returned, until a page returns none.

use std::future::Future;

/// Most pages [`all_pages`] reads, so a server that always returns a next token cannot keep
/// the app asking forever.
pub const MAX_PAGES: usize = 20;

/// Page size asked for when reading a whole list.
pub const PAGE_LIMIT: i32 = 100;

/// One page as [`all_pages`] consumes it: its items and the next page's token.
pub type Page<T> = (Vec<T>, Option<String>);

/// Every item of a paginated list, in order: calls `fetch_page(None)`, then
/// `fetch_page(Some(token))` with each page's next token, until a page has none or
/// [`MAX_PAGES`] pages were read. The first error ends it.
pub async fn all_pages<T, E, F, Fut>(mut fetch_page: F) -> Result<Vec<T>, E>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, E>>,
{
    let mut items = Vec::new();
    let mut token = None;
    for _ in 0..MAX_PAGES {
        let (page, next) = fetch_page(token.take()).await?;
        items.extend(page);
        match next {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    Ok(items)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    /// Runs a future that never waits on anything (the fakes below) to its end.
    pub(crate) fn ready<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("the fake pages never wait"),
        }
    }

    #[test]
    fn follows_next_tokens_in_order() {
        let asked = RefCell::new(Vec::new());
        let items = ready(all_pages(|token: Option<String>| {
            asked.borrow_mut().push(token.clone());
            let page = match token.as_deref() {
                None => (vec![1, 2], Some("b".to_owned())),
                Some("b") => (vec![3], Some("c".to_owned())),
                _ => (vec![4], None),
            };
            async move { Ok::<_, String>(page) }
        }));
        assert_eq!(items, Ok(vec![1, 2, 3, 4]));
        assert_eq!(
            asked.into_inner(),
            [None, Some("b".to_owned()), Some("c".to_owned())]
        );
    }

    #[test]
    fn stops_after_max_pages() {
        let calls = RefCell::new(0);
        let items = ready(all_pages(|_| {
            *calls.borrow_mut() += 1;
            async { Ok::<_, String>((vec![0u8], Some("again".to_owned()))) }
        }));
        assert_eq!(items.map(|i| i.len()), Ok(MAX_PAGES));
        assert_eq!(calls.into_inner(), MAX_PAGES);
    }

    #[test]
    fn the_first_error_ends_it() {
        let calls = RefCell::new(0);
        let items = ready(all_pages(|token: Option<String>| {
            *calls.borrow_mut() += 1;
            async move {
                match token {
                    None => Ok((vec![1], Some("b".to_owned()))),
                    Some(_) => Err("HTTP 500".to_owned()),
                }
            }
        }));
        assert_eq!(items, Err("HTTP 500".to_owned()));
        assert_eq!(calls.into_inner(), 2);
    }
}

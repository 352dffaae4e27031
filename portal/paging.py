"""Pages of a long list (issue 20): every list that grows with the staff shows a page at a time,
counted and sliced in the database."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


def paginate(get, items, param: str = "page", size: int = PAGE_SIZE, count: int | None = None) -> Page:
    """The page of `items` (an ordered queryset) that `get[param]` names; a bad number gives the
    first or last page, never an error. Two queries: the count and the page; one when the caller
    already knows how many `items` there are (`count`, exact: it decides the pages)."""
    paginator = Paginator(items, size)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: this is its value
    return paginator.get_page(get.get(param))


def query_without(get, *params: str) -> str:
    """The request's query string without `params` (for the pager's links)."""
    query = get.copy()
    for param in params:
        query.pop(param, None)
    return query.urlencode()

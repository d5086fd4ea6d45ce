import { useEffect, useState } from "react";

import { ApiError, request, type Page } from "./api";

/** A list read page by page: the current page, its error, and the pager's moves. */
export interface Paged<T> {
  page: Page<T> | null;
  error: string | null;
  /** Whether an earlier page was read. */
  hasPrevious: boolean;
  previous: () => void;
  next: () => void;
  /** Back to the first page (a new sort or filter). */
  restart: () => void;
}

/**
 * Reads `path` with `query`, one page at a time by cursor. A change of
 * `query` (its text) reads the first page again.
 */
export function usePaged<T>(path: string, query: URLSearchParams = new URLSearchParams()): Paged<T> {
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<Page<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors.at(-1);
  const base = query.toString();

  useEffect(() => {
    const params = new URLSearchParams(base);
    if (cursor !== undefined) {
      params.set("cursor", cursor);
    }
    const search = params.toString();
    request<Page<T>>("GET", search === "" ? path : `${path}?${search}`)
      .then((next) => {
        setPage(next);
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : "The list did not load."));
  }, [path, base, cursor]);

  return {
    page,
    error,
    hasPrevious: cursors.length > 0,
    previous: () => setCursors(cursors.slice(0, -1)),
    next: () => {
      if (page?.next_cursor) {
        setCursors([...cursors, page.next_cursor]);
      }
    },
    restart: () => setCursors([]),
  };
}

/** The previous and next page buttons of a list. */
export function Pager<T>({ paged }: { paged: Paged<T> }) {
  return (
    <div className="pager">
      {paged.hasPrevious && (
        <button type="button" onClick={paged.previous}>
          Previous page
        </button>
      )}
      {paged.page?.next_cursor && (
        <button type="button" onClick={paged.next}>
          Next page
        </button>
      )}
    </div>
  );
}

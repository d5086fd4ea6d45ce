import { useEffect, useState } from "react";

import { ApiError, request, type Page, type Row } from "./api";
import { may, mayRead } from "./access";
import type { Account } from "./api";
import { display } from "./EntityDetail";
import type { EntitySpec } from "./model";
import { href } from "./route";

/** One page of an entity's rows, with the cursor to the next. */
export function EntityList({ entity, me }: { entity: EntitySpec; me: Account }) {
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<Page<Row> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors.at(-1);
  const columns = entity.fields.filter((f) => mayRead(f, me)).slice(0, 4);

  useEffect(() => {
    const query = cursor === undefined ? "" : `?cursor=${encodeURIComponent(cursor)}`;
    request<Page<Row>>("GET", `${entity.path}${query}`)
      .then(setPage)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : "The list did not load."));
  }, [entity.path, cursor]);

  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">{entity.plural}</h1>
      {may(entity, "create", me) && (
        <p>
          <a className="button" href={href({ screen: "new", collection: entity.collection })}>
            New {entity.label.toLowerCase()}
          </a>
        </p>
      )}
      {error && <p role="alert">{error}</p>}
      {page && page.items.length === 0 && <p>No rows yet.</p>}
      {page && page.items.length > 0 && (
        <table>
          <thead>
            <tr>
              {columns.map((f) => (
                <th key={f.name} scope="col">
                  {f.label}
                </th>
              ))}
              <th scope="col">Row</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((row) => (
              <tr key={row.id}>
                {columns.map((f) => (
                  <td key={f.name}>{display(row[f.name])}</td>
                ))}
                <td>
                  <a href={href({ screen: "detail", collection: entity.collection, id: row.id })}>Open</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        {cursors.length > 0 && (
          <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
        )}
        {page?.next_cursor && (
          <button type="button" onClick={() => setCursors([...cursors, page.next_cursor as string])}>
            Next page
          </button>
        )}
      </div>
    </section>
  );
}

import type { ReactNode } from "react";

import { display } from "./EntityDetail";
import { Pager, usePaged } from "./paging";

/** One column of a list: its heading and what a row shows in it. */
interface Column<T> {
  heading: string;
  cell: (row: T) => ReactNode;
}

/** An event of the append-only audit log. */
interface AuditEvent {
  id: string;
  at: string;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  entity: string | null;
  entity_id: string | null;
  fields: unknown;
}

/** An account, as the admins' user list shows it. */
interface User {
  user_id: string;
  email: string;
  role: string;
}

/** A read-only list that pages by cursor, in the order the API answers. */
function PagedList<T>({
  title,
  path,
  columns,
  rowKey,
}: {
  title: string;
  path: string;
  columns: Column<T>[];
  rowKey: (row: T) => string;
}) {
  const paged = usePaged<T>(path);
  const { page, error } = paged;

  return (
    <section aria-labelledby="paged-title">
      <h1 id="paged-title">{title}</h1>
      {error && <p role="alert">{error}</p>}
      {page?.items.length === 0 && <p>Nothing yet.</p>}
      {page && page.items.length > 0 && (
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.heading} scope="col">
                  {c.heading}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {page.items.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((c) => (
                  <td key={c.heading}>{c.cell(row)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager paged={paged} />
    </section>
  );
}

/** The audit log: who did what to which row, and which fields changed. */
export function AuditLog({ path }: { path: string }) {
  return (
    <PagedList<AuditEvent>
      title="Audit log"
      path={path}
      rowKey={(e) => e.id}
      columns={[
        { heading: "When", cell: (e) => display(e.at) },
        { heading: "Role", cell: (e) => display(e.actor_role) },
        { heading: "Action", cell: (e) => e.action },
        { heading: "Entity", cell: (e) => display(e.entity) },
        { heading: "Row", cell: (e) => display(e.entity_id) },
        { heading: "Fields", cell: (e) => display(e.fields) },
      ]}
    />
  );
}

/** The accounts: email and role. */
export function Users({ path }: { path: string }) {
  return (
    <PagedList<User>
      title="Users"
      path={path}
      rowKey={(u) => u.user_id}
      columns={[
        { heading: "Email", cell: (u) => u.email },
        { heading: "Role", cell: (u) => u.role },
      ]}
    />
  );
}

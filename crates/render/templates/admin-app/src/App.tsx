import { useEffect, useState } from "react";

import { request, whenSessionEnds, type Account } from "./api";
import { may } from "./access";
import { AccountScreen } from "./Account";
import { AuditLog, Users } from "./AdminLists";
import { EntityDetail } from "./EntityDetail";
import { EntityForm } from "./EntityForm";
import { EntityList } from "./EntityList";
import { ADMIN_LISTS, ADMIN_ROLES, AUTH, ENTITIES, type Role } from "./model";
import { href, useRoute } from "./route";
import { SignIn } from "./SignIn";

/** The app: the sign-in screen, or the signed-in layout with the screen the hash names. */
export function App() {
  const [me, setMe] = useState<Account | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);

  useEffect(() => {
    request<Account>("GET", AUTH.me)
      .then(setMe)
      // 401 (no session) and anything else: the sign-in screen.
      .catch(() => setMe(null));
  }, []);

  // A session that ends mid-way (timeout, revocation) returns to the sign-in screen.
  useEffect(() => {
    whenSessionEnds(() => {
      setEnded(true);
      setMe(null);
    });
    return () => whenSessionEnds(undefined);
  }, []);

  if (me === undefined) {
    return <p className="loading">Loading…</p>;
  }
  if (me === null) {
    return (
      <SignIn
        notice={ended ? "Your session has ended. Sign in again." : undefined}
        onSignedIn={(account) => {
          setEnded(false);
          setMe(account);
        }}
      />
    );
  }

  async function signOut() {
    try {
      await request<undefined>("POST", AUTH.logout);
    } finally {
      // Signed out here whatever the answer: the session ends at its timeout at worst.
      setMe(null);
    }
  }

  return (
    <div className="layout">
      <header>
        <a href={href({ screen: "home" })} className="brand">
          {document.title}
        </a>
        <p className="account">
          Signed in as <strong>{me.email}</strong> (role: <span data-testid="role">{me.role}</span>)
        </p>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav aria-label="Entities">
        <ul>
          {ENTITIES.filter((entity) => may(entity, "read", me)).map((entity) => (
            <li key={entity.name}>
              <a href={href({ screen: "list", collection: entity.collection })}>{entity.plural}</a>
            </li>
          ))}
        </ul>
        <ul>
          <li>
            <a href={href({ screen: "account" })}>Your account</a>
          </li>
          {isAdmin(me) && ADMIN_LISTS.auditEvents !== null && (
            <li>
              <a href={href({ screen: "audit" })}>Audit log</a>
            </li>
          )}
          {isAdmin(me) && ADMIN_LISTS.users !== null && (
            <li>
              <a href={href({ screen: "users" })}>Users</a>
            </li>
          )}
        </ul>
      </nav>
      <main>
        <Screen me={me} onErased={() => setMe(null)} />
      </main>
    </div>
  );
}

/** Whether the caller holds one of the roles that may do everything. */
function isAdmin(me: Account): boolean {
  return ADMIN_ROLES.includes(me.role as Role);
}

function Screen({ me, onErased }: { me: Account; onErased: () => void }) {
  const route = useRoute();
  switch (route.screen) {
    case "home":
      return <h1>Welcome</h1>;
    case "account":
      return <AccountScreen me={me} onErased={onErased} />;
    case "audit":
      return isAdmin(me) && ADMIN_LISTS.auditEvents !== null ? (
        <AuditLog path={ADMIN_LISTS.auditEvents} />
      ) : (
        <p role="alert">There is nothing here.</p>
      );
    case "users":
      return isAdmin(me) && ADMIN_LISTS.users !== null ? (
        <Users path={ADMIN_LISTS.users} />
      ) : (
        <p role="alert">There is nothing here.</p>
      );
    default:
      break;
  }
  const entity = ENTITIES.find((e) => e.collection === route.collection);
  if (entity === undefined || !may(entity, "read", me)) {
    return <p role="alert">There is nothing here.</p>;
  }
  switch (route.screen) {
    case "list":
      return <EntityList key={entity.name} entity={entity} me={me} />;
    case "new":
      return <EntityForm key={`${entity.name}-new`} entity={entity} me={me} />;
    case "detail":
      return <EntityDetail key={route.id} entity={entity} me={me} id={route.id} />;
    case "edit":
      return <EntityForm key={`${route.id}-edit`} entity={entity} me={me} id={route.id} />;
  }
}

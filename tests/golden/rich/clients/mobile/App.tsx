/**
 * The mobile app: sign in, then the caller's own rows of each entity kept
 * per account, with list, detail, create and edit. One small stack of
 * screens in state; the generated table (`src/model.ts`) decides what the
 * role is offered, and the API decides either way.
 */
import { StatusBar } from "expo-status-bar";
import { useEffect, useMemo, useState } from "react";
import { View } from "react-native";

import { Api, type Account, type Row } from "./src/api";
import { may } from "./src/access";
import { ENTITIES, TITLE, type EntitySpec } from "./src/model";
import { EntityDetail } from "./src/screens/EntityDetail";
import { EntityForm } from "./src/screens/EntityForm";
import { EntityList } from "./src/screens/EntityList";
import { Home } from "./src/screens/Home";
import { SignIn } from "./src/screens/SignIn";
import { styles } from "./src/ui";

/** Where the app is. */
type Screen =
  | { name: "home" }
  | { name: "list"; entity: EntitySpec }
  | { name: "detail"; entity: EntitySpec; id: string }
  | { name: "form"; entity: EntitySpec; row?: Row };

/** The entities the app shows a role: those whose rows belong to an account, which the role may read. */
export function entitiesFor(me: Account): EntitySpec[] {
  return ENTITIES.filter((entity) => entity.owned && may(entity, "read", me));
}

export default function App({ api: given }: { api?: Api }) {
  const api = useMemo(() => given ?? new Api(), [given]);
  const [me, setMe] = useState<Account | undefined>();
  const [ended, setEnded] = useState(false);
  const [stack, setStack] = useState<Screen[]>([{ name: "home" }]);
  const screen = stack[stack.length - 1] ?? { name: "home" };
  const push = (next: Screen) => {
    setStack((before) => [...before, next]);
  };
  const back = () => {
    setStack((before) => (before.length > 1 ? before.slice(0, -1) : before));
  };
  const replace = (next: Screen) => {
    setStack((before) => [...before.slice(0, -1), next]);
  };

  // A session that ends mid-way (timeout, revocation) returns to the sign-in screen.
  useEffect(() => {
    api.whenSessionEnds(() => {
      setEnded(true);
      setMe(undefined);
      setStack([{ name: "home" }]);
    });
    return () => {
      api.whenSessionEnds(undefined);
    };
  }, [api]);

  async function signOut() {
    try {
      await api.signOut();
    } finally {
      setMe(undefined);
      setStack([{ name: "home" }]);
    }
  }

  let body;
  if (me === undefined) {
    body = (
      <SignIn
        api={api}
        title={TITLE}
        notice={ended ? "Your session has ended. Sign in again." : undefined}
        onSignedIn={(account) => {
          setEnded(false);
          setMe(account);
        }}
      />
    );
  } else if (screen.name === "list") {
    body = (
      <EntityList
        key={screen.entity.collection}
        api={api}
        me={me}
        entity={screen.entity}
        onOpen={(row) => {
          push({ name: "detail", entity: screen.entity, id: row.id });
        }}
        onNew={() => {
          push({ name: "form", entity: screen.entity });
        }}
        onBack={back}
      />
    );
  } else if (screen.name === "detail") {
    body = (
      <EntityDetail
        key={screen.id}
        api={api}
        me={me}
        entity={screen.entity}
        id={screen.id}
        onEdit={(row) => {
          push({ name: "form", entity: screen.entity, row });
        }}
        onBack={back}
      />
    );
  } else if (screen.name === "form") {
    body = (
      <EntityForm
        api={api}
        me={me}
        entity={screen.entity}
        {...(screen.row ? { row: screen.row } : {})}
        onSaved={(row) => {
          const saved: Screen = { name: "detail", entity: screen.entity, id: row.id };
          if (screen.row === undefined) {
            replace(saved);
          } else {
            setStack((before) => [...before.slice(0, -2), saved]);
          }
        }}
        onCancel={back}
      />
    );
  } else {
    body = (
      <Home
        me={me}
        entities={entitiesFor(me)}
        onOpen={(entity) => {
          push({ name: "list", entity });
        }}
        onSignOut={() => void signOut()}
      />
    );
  }
  return (
    <View style={styles.screen}>
      {body}
      <StatusBar style="auto" />
    </View>
  );
}

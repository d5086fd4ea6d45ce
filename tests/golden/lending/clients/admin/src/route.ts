/**
 * The screens' addresses, kept in the URL's hash (`#/tasks/<id>/edit`):
 * bookmarkable, back-button friendly, and nothing for the server to route.
 */
import { useSyncExternalStore } from "react";

/** The screens that are no entity's, named in the hash with a `~` no collection has. */
const OWN_SCREENS = { "~account": "account", "~audit": "audit", "~users": "users" } as const;

/** A screen. */
export type Route =
  | { screen: "home" }
  | { screen: "account" }
  | { screen: "audit" }
  | { screen: "users" }
  | { screen: "list"; collection: string }
  | { screen: "new"; collection: string }
  | { screen: "detail"; collection: string; id: string }
  | { screen: "edit"; collection: string; id: string };

/** The screen a hash names. */
export function parse(hash: string): Route {
  const [collection, id, edit] = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (!collection) {
    return { screen: "home" };
  }
  if (collection in OWN_SCREENS) {
    return { screen: OWN_SCREENS[collection as keyof typeof OWN_SCREENS] };
  }
  if (!id) {
    return { screen: "list", collection };
  }
  if (id === "new") {
    return { screen: "new", collection };
  }
  return edit === "edit" ? { screen: "edit", collection, id } : { screen: "detail", collection, id };
}

/** The hash of a screen, for links. */
export function href(route: Route): string {
  switch (route.screen) {
    case "home":
      return "#/";
    case "account":
      return "#/~account";
    case "audit":
      return "#/~audit";
    case "users":
      return "#/~users";
    case "list":
      return `#/${route.collection}`;
    case "new":
      return `#/${route.collection}/new`;
    case "detail":
      return `#/${route.collection}/${encodeURIComponent(route.id)}`;
    case "edit":
      return `#/${route.collection}/${encodeURIComponent(route.id)}/edit`;
  }
}

/** Goes to a screen. */
export function navigate(route: Route): void {
  window.location.hash = href(route);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

/** The current screen, following the hash. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parse(hash);
}

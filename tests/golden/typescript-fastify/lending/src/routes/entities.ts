/**
 * The routes of every entity of the model (`<base>/<collection>` and
 * `<base>/<collection>/{id}`): list, create, read, change and delete, each
 * answering 401 or 403 before it reads a row or a body.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { BASE_PATH } from "../base.js";
import { type Actor, authorize } from "../entities/access.js";
import * as crud from "../entities/crud.js";
import { type Action, ENTITIES, type EntityDef } from "../entities/model.js";
import { isUuid } from "../entities/values.js";
import { invalid } from "../problems.js";
import { Keyring } from "../security/crypto.js";
import { optionalPrincipal } from "../security/principal.js";

/** The path's id, 422 unless it is a UUID. */
function idOf(request: FastifyRequest): string {
  const params = request.params as { id?: string };
  const id = params.id ?? "";
  if (!isUuid(id)) {
    throw invalid({ id: "must be a UUID" });
  }
  return id;
}

/** Registers the routes of every entity. */
export function entityRoutes(app: FastifyInstance): void {
  const keyring = new Keyring(app.config.encryptionKeys, app.config.secretKey);
  const context = (request: FastifyRequest): crud.Context => ({
    db: app.db,
    keyring,
    secret: app.config.secretKey,
    requestId: request.id,
  });
  // The caller of each request, settled before its body is read.
  const actors = new WeakMap<FastifyRequest, Actor>();
  const guard =
    (entity: EntityDef, action: Action) =>
    async (request: FastifyRequest): Promise<void> => {
      actors.set(request, authorize(entity, action, await optionalPrincipal(request)));
    };
  const actorOf = (request: FastifyRequest): Actor => {
    const actor = actors.get(request);
    if (actor === undefined) {
      throw new Error("the route has no access guard");
    }
    return actor;
  };

  for (const entity of ENTITIES) {
    const path = `${BASE_PATH}/${entity.collection}`;
    const one = `${path}/:id`;

    app.get(path, { onRequest: guard(entity, "read") }, async (request) =>
      crud.findPage(
        context(request),
        entity,
        actorOf(request),
        crud.listQuery(request.query as Record<string, unknown>),
      ),
    );
    app.post(path, { onRequest: guard(entity, "create") }, async (request, reply) => {
      const key = request.headers[crud.IDEMPOTENCY_HEADER.toLowerCase()];
      const item = await crud.create(
        context(request),
        entity,
        actorOf(request),
        request.body,
        typeof key === "string" ? key : undefined,
      );
      return reply.code(201).send(item);
    });
    app.get(one, { onRequest: guard(entity, "read") }, async (request) =>
      crud.findOne(context(request), entity, actorOf(request), idOf(request)),
    );
    app.patch(one, { onRequest: guard(entity, "update") }, async (request) =>
      crud.update(context(request), entity, actorOf(request), idOf(request), request.body),
    );
    app.delete(one, { onRequest: guard(entity, "delete") }, async (request, reply) => {
      await crud.remove(context(request), entity, actorOf(request), idOf(request));
      return reply.code(204).send();
    });
  }
}

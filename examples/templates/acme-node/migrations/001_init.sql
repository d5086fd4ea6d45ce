-- The schema of {{title}}: one table per entity, with the constraint and
-- index names every archgen stack uses.
BEGIN;
{{#each tables}}
CREATE TABLE {{name}} (
{{#each lines}}    {{this}}
{{/each}});
{{/each}}
{{#each alters}}{{this}}
{{/each}}COMMIT;

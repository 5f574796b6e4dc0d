// Schema 10: the store's epoch, a UUIDv7 minted as the store is made (or upgraded to this
// step), and anew by a restore or a copy. Consumers save it beside their checkpoints.
// (The maintenance lock needs no table here: it is a session advisory lock.)

import type { Migration } from './migration.js';

export const storeEpoch: Migration = (names) => `
  CREATE TABLE ${names.s}.store_epoch (
    id    integer PRIMARY KEY CHECK (id = 1),
    epoch text    NOT NULL
  );
  -- Milliseconds in the first 48 bits, the version digit 7, then a random UUID's bits.
  INSERT INTO ${names.s}.store_epoch (id, epoch)
    SELECT 1, substr(t, 1, 8) || '-' || substr(t, 9, 4) || '-7' || substr(g, 16, 3) || '-' || substr(g, 20, 17)
    FROM (SELECT lpad(to_hex(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') AS t,
                 gen_random_uuid()::text AS g) AS parts;
  `;

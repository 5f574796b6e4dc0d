// Schema 8: the store's epoch.
// Frozen: the SQL this step ran when it was written (schema.ts).

export const storeEpoch = `
  -- The store's epoch: a UUIDv7 minted as the store is made (or upgraded to this step),
  -- and anew by a restore or a copy. Consumers save it beside their checkpoints.
  CREATE TABLE store_epoch (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    epoch TEXT    NOT NULL
  );
  INSERT INTO store_epoch (id, epoch)
    SELECT 1, substr(t, 1, 8) || '-' || substr(t, 9, 4) || '-7' || substr(h, 1, 3) || '-'
      || substr('89ab', 1 + (random() & 3), 1) || substr(h, 4, 3) || '-' || substr(h, 7, 12)
    FROM (SELECT printf('%012x', CAST(unixepoch('subsec') * 1000 AS INTEGER)) AS t, lower(hex(randomblob(9))) AS h);
  `;

/*
 * schema — the database's numbered migrations (used by db.c only).
 */
#ifndef FB_SCHEMA_H
#define FB_SCHEMA_H

/* Number of migrations = the latest schema version. */
int schema_count(void);
/* SQL of migration version (1-based), which upgrades version-1 to version; NULL if none. */
const char *schema_migration(int version);

#endif

// The schema tables of the spec: one ObjectDef per kind of object, and the enum spellings.
#pragma once

#include "spec/model.h"
#include "spec/schema.h"

namespace ballast::spec {

const ObjectDef& schema(Tag<Spec>);
const ObjectDef& schema(Tag<Platform>);
const ObjectDef& schema(Tag<Security>);
const ObjectDef& schema(Tag<Ingress>);
const ObjectDef& schema(Tag<OdooProfile>);
const ObjectDef& schema(Tag<Repository>);
const ObjectDef& schema(Tag<Retention>);
const ObjectDef& schema(Tag<ObjectLock>);
const ObjectDef& schema(Tag<Plan>);
const ObjectDef& schema(Tag<PostgresSettings>);
const ObjectDef& schema(Tag<RedisSettings>);
const ObjectDef& schema(Tag<BackupSchedule>);
const ObjectDef& schema(Tag<BackupPolicy>);
const ObjectDef& schema(Tag<Pool>);
const ObjectDef& schema(Tag<Stack>);
const ObjectDef& schema(Tag<MonthlyDays>);
const ObjectDef& schema(Tag<DateRange>);
const ObjectDef& schema(Tag<Freeze>);
const ObjectDef& schema(Tag<ChangeWindow>);
const ObjectDef& schema(Tag<Calendar>);
const ObjectDef& schema(Tag<Target>);
const ObjectDef& schema(Tag<Continuity>);
const ObjectDef& schema(Tag<Environment>);
const ObjectDef& schema(Tag<TlsFiles>);
const ObjectDef& schema(Tag<Tenant>);

const std::vector<EnumEntry<RepositoryType>>& enum_table(Tag<RepositoryType>);
const std::vector<EnumEntry<LockMode>>& enum_table(Tag<LockMode>);
const std::vector<EnumEntry<Tier>>& enum_table(Tag<Tier>);
const std::vector<EnumEntry<EnvironmentKind>>& enum_table(Tag<EnvironmentKind>);
const std::vector<EnumEntry<OdooVersion>>& enum_table(Tag<OdooVersion>);
const std::vector<EnumEntry<EvictionPolicy>>& enum_table(Tag<EvictionPolicy>);
const std::vector<EnumEntry<Weekday>>& enum_table(Tag<Weekday>);

}  // namespace ballast::spec

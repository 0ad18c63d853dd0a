/**
 * Roles as GraphQL enums. Their values are the REST strings (`school_admin`,
 * `platform_admin`), so both APIs speak one vocabulary.
 */
import { registerEnumType } from '@nestjs/graphql';
import { PLATFORM_ROLES, SCHOOL_ROLES, type PlatformRole, type SchoolRole } from '@learnstream/access';

const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;

export const SchoolRoleEnum = asEnum<SchoolRole>(SCHOOL_ROLES);
export const PlatformRoleEnum = asEnum<PlatformRole>(PLATFORM_ROLES);

registerEnumType(SchoolRoleEnum, { name: 'SchoolRole', description: 'a role in a school' });
registerEnumType(PlatformRoleEnum, { name: 'PlatformRole', description: 'a role on the whole platform' });

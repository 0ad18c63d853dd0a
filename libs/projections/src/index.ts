export * from './headless';
export { ProjectionsAdminController } from './projections-admin.controller';

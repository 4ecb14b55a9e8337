-- Profiles are namespaced like every Redis key and topic (`PULSE_NAMESPACE`, empty in production),
-- so two deployments or test runs sharing one database never read or outrank each other's rows.
alter table user_profiles add column namespace text not null default '';
alter table user_profiles drop constraint user_profiles_pkey;
alter table user_profiles add primary key (namespace, user_id);

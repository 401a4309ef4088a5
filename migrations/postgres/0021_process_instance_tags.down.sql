DROP TABLE IF EXISTS process_instance_tags;

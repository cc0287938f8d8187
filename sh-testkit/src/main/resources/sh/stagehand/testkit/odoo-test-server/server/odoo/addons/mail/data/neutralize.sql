-- mail templates lose their mail server
UPDATE mail_template
   SET mail_server_id = NULL;

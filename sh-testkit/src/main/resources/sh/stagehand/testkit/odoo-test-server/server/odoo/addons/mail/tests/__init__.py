from . import test_mail_mail

"""Background work of the mail app: sending is the periodic `sending.send_due`; a received
reply is applied by its own task, enqueued when `unsilo mail-in` stores it."""

from django_tasks import task

from unsilo.mail import replies


@task()
def apply_reply(reply_id: int) -> str:
    return replies.apply(reply_id)

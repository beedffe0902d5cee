"""Django app configuration for sharing."""

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "icp.sharing"
    label = "sharing"
    verbose_name = "Information sharing"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from icp.sharing import throttle

        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="icp.sharing.login_failed")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="icp.sharing.logged_in")

"""Passwords: who may sign in with one, and the strength check (zxcvbn's estimate of how many
guesses a password would take)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

from config.auth import ModelBackend

# zxcvbn refuses longer input; the characters past it only make a password harder to guess.
ESTIMATED_LENGTH = 72


class PasswordStrengthValidator:
    """Refuse a password that zxcvbn scores below `min_score` (0 to 4), saying why and what would help.

    Score 3 means about 100 million guesses or more: "Committee2026" (about 10 million) and
    "aaaaaaaaaaaa" are refused, several uncommon words together pass.
    """

    def __init__(self, min_score=3):
        self.min_score = min_score

    def validate(self, password, user=None):
        words = [getattr(user, name, "") for name in ("username", "first_name", "last_name", "email", "job_title")]
        result = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=[w for w in words if isinstance(w, str) and w])
        if result["score"] >= self.min_score:
            return
        feedback = result["feedback"]
        time = result["crack_times_display"]["offline_slow_hashing_1e4_per_second"]
        reasons = [
            f"This password is too easy to guess: someone with a copy of the password store could find it in {time}.",
            feedback.get("warning", ""),
            *feedback.get("suggestions", []),
        ]
        raise ValidationError(" ".join(r for r in reasons if r), code="password_too_guessable")

    def get_help_text(self):
        return "Your password must be hard to guess: several uncommon words together work well."


def may_use_password(user):
    """Whether `user` signs in with a password here: everyone while PASSWORD_SIGN_IN is on, administrators alone when off."""
    return settings.PASSWORD_SIGN_IN or user.is_superuser


class PasswordBackend(ModelBackend):
    """Django's password sign-in, for everyone while PASSWORD_SIGN_IN is on, for administrators alone when off.

    Every password route goes through it (the sign-in page, the Django admin's), and so does a session
    signed in with a password: turning passwords off ends those of everyone but the administrators.
    """

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and may_use_password(user)

"""newsbot's faces: the `newsbot` command line and the Discord bot, thin layers over ``index``."""

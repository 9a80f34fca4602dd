"""What `newsbot eval` and `newsbot bench` measure: quality, tuning, calibration, speed."""

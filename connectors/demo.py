"""Demo records for the local connectors: a few registered business households (idempotent)."""

import datetime

from .services import business_register

# Names a demo applicant may try: "Phở Gia Truyền Cầu Giấy" is taken, any new name is free.
DEMO_BUSINESSES = [
    ("01A8000101", "Phở Gia Truyền Cầu Giấy", "Số 5 Phố Trần Thái Tông, Phường Cầu Giấy, Thành phố Hà Nội"),
    ("01A8000102", "Tạp Hoá Minh Anh", "Số 18 Phố Duy Tân, Phường Cầu Giấy, Thành phố Hà Nội"),
    ("01A8000103", "Cà Phê Hồ Tây", "Số 2 Phố Thụy Khuê, Phường Tây Hồ, Thành phố Hà Nội"),
]


def connectors_demo_load() -> None:
    for number, name, address in DEMO_BUSINESSES:
        business_register(
            registration_number=number, name=name, address=address, registered_on=datetime.date(2024, 3, 1)
        )

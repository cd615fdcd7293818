"""How documents write dates and times."""

from documents.templatetags.paperwork import dmy, gio_ngay, ngay


def test_a_day_alone_is_written_without_an_hour():
    assert gio_ngay("2026-12-07") == "ngày 07 tháng 12 năm 2026"
    assert ngay("2026-12-07") == "ngày 07 tháng 12 năm 2026"
    assert dmy("2026-12-07") == "07/12/2026"


def test_a_moment_is_written_in_local_time_with_its_hour():
    assert gio_ngay("2026-12-07T10:00:00+00:00") == "17 giờ 00 phút, ngày 07 tháng 12 năm 2026"

from registry.choices import Platform


def test_it_shows_the_districts_counts_to_the_office(
    client_for, office_admin, file_account, department_a, department_b
):
    file_account(department_a, platform=Platform.WEIBO)
    file_account(department_b, platform=Platform.DOUYIN)
    file_account(department_b, approve=False)
    response = client_for(office_admin).get("/")
    overview = response.context["overview"]
    assert (
        overview.departments,
        overview.media_accounts,
        overview.live_media_accounts,
        overview.pending_filings,
    ) == (3, 3, 2, 1)
    assert {row.code: row.count for row in overview.by_platform} == {
        "weibo": 1,
        "douyin": 1,
        "wechat_official": 1,
    }
    page = response.content.decode()
    assert "概览" in page and "微博" in page and "抖音" in page


def test_it_shows_a_department_admin_only_its_own_units(
    client_for, admin_a, file_account, department_a, department_b
):
    file_account(department_a)
    file_account(department_b)
    overview = client_for(admin_a).get("/").context["overview"]
    assert (overview.departments, overview.media_accounts) == (1, 1)


def test_it_shows_the_user_and_role(client_for, admin_a):
    page = client_for(admin_a).get("/").content.decode()
    assert "dept-edu" in page and "部门管理员" in page and "区教育局" in page


def test_it_keeps_the_home_page_queries_constant(
    client_for, office_admin, file_account, department_a, django_assert_max_num_queries
):
    client = client_for(office_admin)
    file_account(department_a)
    with django_assert_max_num_queries(40) as few:
        client.get("/")
    for _ in range(20):
        file_account(department_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")

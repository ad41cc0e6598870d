"""One project through its whole life on each backend, through the library."""

from tests.helpers import CODE_A, cst, panel_review


def test_full_lifecycle_reaches_published(engine, clock, actors, tmp_path):
    doc = tmp_path / "application.pdf"
    doc.write_bytes(b"%PDF-1.4 application")
    p = engine.dock(actors.suzhou, title="Cloud MES", enterprise="Suzhou Foo Ltd",
                    credit_code=CODE_A, region="suzhou", category="demo")
    engine.apply(actors.ent_a, p.id, paper_copies=2, document=doc)
    engine.recommend(actors.suzhou, p.id, opinion="推荐")
    panel_review(engine, p.id)
    clock.set(cst(2020, 10, 10, 9, 0, 0))
    engine.sign(actors.tencent, p.id)
    final = engine.publish(actors.province, p.id)
    assert (final.state, final.version) == ("published", 6)
    assert [h.event for h in engine.history(p.id)] == [
        "dock", "apply", "recommend", "review", "sign", "publish"]
    assert engine.document(p.id).content == b"%PDF-1.4 application"

"""``haul ingest``'s flush interval: a flag or ``HAUL_INGEST_FLUSH_INTERVAL``, refused when it is not a positive number."""

from click.testing import CliRunner

from server.cli.ingest import FLUSH_INTERVAL_S, ingest


def test_help_names_the_default_and_the_variable():
    result = CliRunner().invoke(ingest, ["--help"])
    assert result.exit_code == 0
    assert "HAUL_INGEST_FLUSH_INTERVAL" in result.output
    assert str(FLUSH_INTERVAL_S) in result.output


def test_a_bad_interval_from_the_environment_is_a_usage_error_not_a_traceback():
    for bad in ("abc", "0", "-1"):
        result = CliRunner().invoke(ingest, [], env={"HAUL_INGEST_FLUSH_INTERVAL": bad})
        assert result.exit_code == 2, (bad, result.output)
        assert "--flush-interval" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)

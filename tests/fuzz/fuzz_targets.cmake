# The fuzz targets and the areas each links (only what it reads, so a fuzz
# build compiles little). Included by tests/fuzz (libFuzzer builds) and by
# tests/ (the replay executables of the gcc builds).
set(clv_fuzz_targets fuzz_import_csv fuzz_streaming_summary fuzz_summary_csv fuzz_scenario
                     fuzz_record_json)
set(fuzz_import_csv_libs clv_ingest clv_store)
set(fuzz_streaming_summary_libs clv_summary)
set(fuzz_summary_csv_libs clv_models)
set(fuzz_scenario_libs clv_scenario)
set(fuzz_record_json_libs clv_engine)

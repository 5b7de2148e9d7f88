#pragma once

#include "mlflow/mlflowstore.h"

// The two readers behind Reader::open() (filestorereader.cpp, dbreader.cpp).
namespace kiln::mlflow::Internal {

/// `folder` is the mlruns folder itself (Reader::open resolves a parent holding mlruns/).
Expected<std::unique_ptr<Reader>> openFileStore(const QString &folder);
/// A quick look: `folder` holds an experiment folder with meta.yaml, `.trash/` or `models/`.
bool isFileStore(const QString &folder);

Expected<std::unique_ptr<Reader>> openDatabase(const QString &file);
/// A quick look: the file starts with SQLite's header and has MLflow's experiments and runs
/// tables.
bool isDatabase(const QString &file);

} // namespace kiln::mlflow::Internal

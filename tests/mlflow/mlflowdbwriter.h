#pragma once
// Writes mlflow.db files in MLflow SQLAlchemy-store format (owned by the database helper).

#pragma once
// Writes mlruns/ trees in MLflow file-store format (owned by the file-store helper).

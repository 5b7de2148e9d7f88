// kilnctl mlflow import|export (owned by the import helper).

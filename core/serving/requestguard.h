#pragma once

// Stub: the owner of this file (the serving agent's helper) writes the request body guard here.

#pragma once

// Stub: the owner of this file writes it.

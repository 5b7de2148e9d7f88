#pragma once

// Stub: a helper writes this header.

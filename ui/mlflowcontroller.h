#pragma once
// Placeholder (owned by a helper).

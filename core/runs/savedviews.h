#pragma once

// Work in progress: named comparison views

#pragma once

// Work in progress: importanceview
